export {virtualboxDriver} from './driver.js'
